/** Recognises e-mail addresses with validator's `isEmail`, the check most web stacks already apply. */
import validator from 'validator';

/** True for an e-mail address (`dupont@example.fr`); the cheap `@` test spares the regex most values. */
export function isEmailFormat(text: string): boolean {
  return text.length <= 254 && text.includes('@') && validator.isEmail(text);
}
