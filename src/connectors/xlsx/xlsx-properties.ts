/**
 * A workbook's document properties (author, company, dates), read from `docProps/core.xml` and
 * `docProps/app.xml` through the zip's central directory: the sheets are not decompressed.
 */
import unzipper from 'unzipper';
import type { DocumentProperties } from '../../core/inventory.ts';

const CORE_FIELDS: readonly (readonly [keyof DocumentProperties, string])[] = [
  ['title', 'dc:title'],
  ['author', 'dc:creator'],
  ['lastModifiedBy', 'cp:lastModifiedBy'],
  ['created', 'dcterms:created'],
  ['modified', 'dcterms:modified'],
];
const APP_FIELDS: readonly (readonly [keyof DocumentProperties, string])[] = [
  ['company', 'Company'],
  ['application', 'Application'],
];

/** The document properties of a workbook, or undefined when it has none (or they cannot be read). */
export async function readDocumentProperties(path: string): Promise<DocumentProperties | undefined> {
  try {
    const directory = await unzipper.Open.file(path);
    const text = async (name: string) => {
      const entry = directory.files.find((f) => f.path === name);
      // Properties are a few hundred bytes; a huge entry is not what Excel writes.
      if (!entry || entry.uncompressedSize > 1_000_000) return '';
      return (await entry.buffer()).toString('utf8');
    };
    const properties: Record<string, string> = {};
    const pick = (xml: string, fields: typeof CORE_FIELDS) => {
      for (const [key, tag] of fields) {
        const match = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml);
        const value = match ? decodeXml(match[1]!).trim() : '';
        if (value) properties[key] = value;
      }
    };
    pick(await text('docProps/core.xml'), CORE_FIELDS);
    pick(await text('docProps/app.xml'), APP_FIELDS);
    return Object.keys(properties).length > 0 ? (properties as DocumentProperties) : undefined;
  } catch {
    // The workbook itself is checked by the sheet reader, which names what is wrong.
    return undefined;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name] ?? whole;
  });
}
