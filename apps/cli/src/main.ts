import { buildProgram } from './program';
import { reportError } from './fail';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}
