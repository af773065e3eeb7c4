// `node binary-load.mjs URL CONNECTIONS SECONDS BODY_FILE HEADERS_JSON`: autocannon's own
// API, because its command line reads a body file as UTF-8 text and so mangles binary bodies
// (the OIP v2 binary tensor extension). Prints the result as `autocannon -j` does.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, connections, seconds, bodyFile, headers] = process.argv.slice(2);
const result = await autocannon({
  url,
  method: 'POST',
  connections: Number(connections),
  duration: Number(seconds),
  headers: { 'content-type': 'application/octet-stream', ...JSON.parse(headers) },
  body: readFileSync(bodyFile),
});
process.stdout.write(JSON.stringify(result));
