/** (a) The ceiling: Fastify parsing the same JSON body and answering a constant. */
import Fastify from 'fastify';
import { announce } from '../bundle-dir';

const app = Fastify({ logger: false });
app.post('/v1/models/:nameAndVerb', () => ({ hello: 'world' }));
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
announce(typeof addr === 'object' && addr ? addr.port : 0);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
