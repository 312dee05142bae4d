// Parse an AsyncAPI document with the official parser (@asyncapi/parser). Prints every diagnostic as
// a JSON line ({"severity": "error"|"warning"|"info"|"hint", "code", "message", "path"}), then one
// line per message with the Kafka headers it declares, then a summary line.
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';

const names = { [DiagnosticSeverity.Error]: 'error', [DiagnosticSeverity.Warning]: 'warning',
                [DiagnosticSeverity.Information]: 'info', [DiagnosticSeverity.Hint]: 'hint' };
const { document, diagnostics } = await fromFile(new Parser(), process.argv[2]).parse();
const counts = { error: 0, warning: 0, info: 0, hint: 0 };
for (const d of diagnostics) {
  const severity = names[d.severity];
  counts[severity] += 1;
  console.log(JSON.stringify({ severity, code: d.code, message: d.message, path: d.path.join('.') }));
}
let messages = 0;
if (document !== undefined) {
  for (const m of document.allMessages()) {
    messages += 1;
    const headers = m.hasHeaders() ? m.headers().json() : null;
    console.log(JSON.stringify({ message: m.name(), contentType: m.contentType(), headers }));
  }
}
console.log(JSON.stringify({ summary: counts, parsed: document !== undefined, messages }));
