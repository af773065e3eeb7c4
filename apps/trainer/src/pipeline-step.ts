/**
 * The Argo step entrypoint: `node apps/trainer/dist/pipeline-step.js --spec <b64> …` runs one
 * pipeline step against the registry (`REGISTRY_URL`, `MLOPS_TOKEN`) and writes its outputs to
 * `--outputs` — the contract of apps/cli/src/pipelines/argo/step-command.ts. Exit code 0 when the
 * step succeeded (ran or came from the cache), 2 for bad arguments or inputs, 1 otherwise.
 */
import { createRegistryClient } from '@mlops/client';
import { createLogger, parseEnv, readTokenFile } from '@mlops/config';
import { trainerEnvSchema } from './env';
import { parseStepCommand, runStepCommand } from './pipelines/step-command';
import { StepInputError } from './pipelines/steps/types';

const env = parseEnv(trainerEnvSchema);
const logger = createLogger('pipeline-step', env.LOG_LEVEL);
const token = env.MLOPS_TOKEN ?? readTokenFile(env.MLOPS_DATA_DIR);
const client = createRegistryClient({ url: env.REGISTRY_URL, ...(token ? { token } : {}) });

try {
  const cmd = parseStepCommand(process.argv.slice(2));
  const r = await runStepCommand(cmd, { client, dataDir: env.MLOPS_DATA_DIR, logger });
  logger.info(
    { stepId: cmd.spec.step.id, cached: r.cached, cacheKey: r.cacheKey, outputs: cmd.outputs },
    r.cached ? 'step served from the cache' : 'step succeeded',
  );
  process.exit(0);
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  logger.error({ err: message }, 'step failed');
  process.stderr.write(`pipeline step failed: ${message}\n`);
  process.exit(err instanceof StepInputError ? 2 : 1);
}
