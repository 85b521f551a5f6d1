import { XMLParser } from 'fast-xml-parser';

/**
 * The shape of an XML document for comparing dialects: every element's qualified name (with
 * its prefix) and its non-xmlns attribute names, in document order. Text is ignored.
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false,
  processEntities: false,
  parseTagValue: false,
  ignoreDeclaration: true,
});

export function xmlShape(xml: string): string[] {
  const out: string[] = [];
  const walk = (nodes: unknown): void => {
    if (!Array.isArray(nodes)) return;
    for (const node of nodes) {
      if (node === null || typeof node !== 'object') continue;
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key === '#text' || key === ':@') continue;
        const attrs = (node as Record<string, unknown>)[':@'];
        const names =
          attrs !== null && typeof attrs === 'object'
            ? Object.keys(attrs).filter((a) => !a.startsWith('xmlns')).sort()
            : [];
        out.push(names.length === 0 ? key : `${key}[${names.join(',')}]`);
        walk(value);
      }
    }
  };
  walk(parser.parse(xml.trim()));
  return out;
}
