/** Recognises URLs and UUIDs with validator, whose rules match what browsers and databases accept. */
import validator from 'validator';

const URL_OPTIONS: validator.IsURLOptions = { protocols: ['http', 'https', 'ftp'], require_protocol: true };

/** True for an absolute http(s) or ftp URL (`https://example.fr/a?b=1`); bare domains are not URLs here. */
export function isUrlFormat(text: string): boolean {
  return text.length <= 2083 && text.includes('://') && validator.isURL(text, URL_OPTIONS);
}

/** True for a UUID of any version in its 8-4-4-4-12 hexadecimal layout. */
export function isUuidFormat(text: string): boolean {
  return text.length === 36 && text.charCodeAt(8) === 45 && validator.isUUID(text, 'all');
}
