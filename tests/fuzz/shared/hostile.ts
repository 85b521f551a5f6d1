/**
 * Hostile tokens that mutators insert into real captures and generators put in values: the
 * things a device (or someone posing as one) can send to hurt a parser or a terminal.
 * Bytes, not strings, so invalid UTF-8 can be inserted as it arrives on the wire.
 */

const entityBomb =
  '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']><lolz>&lol9;</lolz>';

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Named so a failing case says which token it carried. */
export const HOSTILE_TOKENS: ReadonlyArray<{ name: string; bytes: Buffer }> = [
  // XML: entity bombs, external entities, markup that ends or opens sections.
  { name: 'entity-bomb', bytes: text(entityBomb) },
  { name: 'entity-ref', bytes: text('&lol9;') },
  { name: 'xxe', bytes: text('<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>&xxe;') },
  { name: 'parameter-entity', bytes: text('<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1/x.dtd">%p;]>') },
  { name: 'cdata-end', bytes: text(']]>') },
  { name: 'cdata-open', bytes: text('<![CDATA[') },
  { name: 'cdata-block', bytes: text('<![CDATA[</Envelope><x>]]>') },
  { name: 'comment-open', bytes: text('<!--') },
  { name: 'comment-close', bytes: text('-->') },
  { name: 'xml-decl', bytes: text('<?xml version="1.0" encoding="UTF-16"?>') },
  { name: 'pi', bytes: text('<?evil x="1"?>') },
  { name: 'lt', bytes: text('<') },
  { name: 'gt', bytes: text('>') },
  { name: 'amp', bytes: text('&') },
  { name: 'quote', bytes: text('"') },
  { name: 'apos', bytes: text("'") },
  { name: 'char-ref-nul', bytes: text('&#0;') },
  { name: 'char-ref-esc', bytes: text('&#x1b;[2J') },
  { name: 'char-ref-surrogate', bytes: text('&#xD800;') },
  { name: 'char-ref-too-big', bytes: text('&#1114112;&#x110000;&#99999999;') },
  { name: 'unknown-entity', bytes: text('&nbsp;&copy;&foo;') },
  { name: 'huge-attribute', bytes: text(`<x a="${'A'.repeat(70_000)}">`) },
  { name: 'many-attributes', bytes: text(`<x ${Array.from({ length: 2000 }, (_, i) => `a${i}="${i}"`).join(' ')}>`) },
  { name: 'deep-nesting', bytes: text('<a>'.repeat(5000) + '</a>'.repeat(5000)) },
  { name: 'deep-nesting-open', bytes: text('<d:a>'.repeat(20_000)) },
  { name: 'proto-element', bytes: text('<__proto__><polluted>yes</polluted></__proto__><constructor><prototype>x</prototype></constructor>') },
  { name: 'mismatched-close', bytes: text('</Body></Envelope></root>') },
  { name: 'foreign-root', bytes: text('<root><device><manufacturer>x</manufacturer></device></root>') },
  // Terminal: escapes and controls.
  { name: 'nul', bytes: Buffer.from([0]) },
  { name: 'nul-run', bytes: Buffer.alloc(256) },
  // Long runs: a `/x+$/` regex is quadratic on them when they are not at the end.
  { name: 'nul-run-long', bytes: Buffer.alloc(60_000) },
  { name: 'ansi-clear', bytes: text('\u001b[2J') },
  { name: 'ansi-title', bytes: text('\u001b]0;pwned\u0007') },
  { name: 'ansi-dcs', bytes: text('\u001bP+q\u001b\\') },
  { name: 'c1-csi', bytes: text('\u009b31m') },
  { name: 'bell-backspace', bytes: text('\u0007\u0008\u0008\u007f') },
  { name: 'bidi-override', bytes: text('\u202eevil\u202c') },
  { name: 'bidi-isolates', bytes: text('\u2066\u2067\u2068\u2069') },
  { name: 'bidi-marks', bytes: text('\u200e\u200f\u061c') },
  { name: 'zero-width', bytes: text('\u200b\u200c\u200d\ufeff') },
  { name: 'line-separators', bytes: text('\u2028\u2029\u0085') },
  // Line structure: header injection and huge lines.
  { name: 'crlf-inject', bytes: text('\r\nX-Injected: 1\r\n') },
  { name: 'crlf-end', bytes: text('\r\n\r\n') },
  { name: 'lf', bytes: text('\n') },
  { name: 'cr', bytes: text('\r') },
  { name: 'long-line', bytes: text('A'.repeat(20_000)) },
  { name: 'long-token', bytes: text(`X-${'a'.repeat(5000)}: ${'b'.repeat(5000)}`) },
  { name: 'many-lines', bytes: text('X: y\r\n'.repeat(2000)) },
  { name: 'colon-run', bytes: text(':'.repeat(1000)) },
  // Invalid UTF-8 on the wire.
  { name: 'utf8-bad-continuation', bytes: Buffer.from([0xc3, 0x28]) },
  { name: 'utf8-ff-fe', bytes: Buffer.from([0xff, 0xfe, 0xff]) },
  { name: 'utf8-surrogate', bytes: Buffer.from([0xed, 0xa0, 0x80]) },
  { name: 'utf8-too-big', bytes: Buffer.from([0xf4, 0x90, 0x80, 0x80]) },
  { name: 'utf8-overlong-slash', bytes: Buffer.from([0xc0, 0xaf]) },
  { name: 'utf8-lone-continuation', bytes: Buffer.from([0x80, 0xbf]) },
  { name: 'utf8-cut', bytes: Buffer.from([0xe4, 0xb8]) },
  { name: 'utf16-bom', bytes: Buffer.from([0xfe, 0xff, 0x00, 0x3c]) },
  // Numbers at and past their ranges.
  { name: 'u32-max', bytes: text('4294967295') },
  { name: 'negative', bytes: text('-1') },
  { name: 'huge-number', bytes: text('99999999999999999999999') },
  { name: 'float-overflow', bytes: text('1e309') },
  { name: 'nan', bytes: text('NaN') },
  { name: 'negative-zero', bytes: text('-0') },
  { name: 'hex-number', bytes: text('0x7fffffff') },
  { name: 'port-overflow', bytes: text('65536') },
  { name: 'zero', bytes: text('0') },
  // JSON: nesting, broken strings, keys that are object internals.
  { name: 'json-deep-array', bytes: text('['.repeat(20_000)) },
  { name: 'json-deep-object', bytes: text('{"a":'.repeat(5000)) },
  { name: 'json-unterminated', bytes: text('"DeviceType" : "IPC-') },
  { name: 'json-proto', bytes: text('"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}') },
  { name: 'json-escapes', bytes: text('"\\u0000\\u001b[2J\\ud800\\"') },
  { name: 'json-huge-string', bytes: text(`"${'x'.repeat(20_000)}"`) },
  // URLs and identifiers.
  { name: 'url-metadata', bytes: text('http://169.254.169.254/latest/meta-data/') },
  { name: 'url-broken', bytes: text('http://[::1') },
  { name: 'url-port-overflow', bytes: text('http://10.0.0.1:99999/') },
  { name: 'url-userinfo', bytes: text('http://user:pass@10.0.0.1@evil/') },
  { name: 'percent-junk', bytes: text('%E4%B8%zz%%00%') },
  { name: 'format-string', bytes: text('%s%n%x${x}$<model>{{7*7}}') },
  { name: 'regex-bait', bytes: text(`${'a'.repeat(300)}!${'-'.repeat(300)}${' '.repeat(300)}x`) },
  { name: 'whitespace-run', bytes: text(' \t'.repeat(5000)) },
  { name: 'space-run-long', bytes: text(' '.repeat(16_000)) },
  { name: 'title-bomb', bytes: text('<title'.repeat(2000)) },
  { name: 'wide', bytes: text('大华海康威视\u{1F4F7}'.repeat(50)) },
];
