import type { PipelineDefinitionInput } from '@mlops/contracts';
import type { Stack } from './stack';

/** What the pipeline pages' browser test registers and how it calls the registry. */

const out = (step: string, key: string) => `\${{ steps.${step}.outputs.${key} }}`;

/** Five steps in four layers: greet → wait → (left, right) → join. */
export const DIAMOND: PipelineDefinitionInput = {
  name: 'diamond',
  parameters: { message: { type: 'string', default: 'hello' } },
  steps: [
    { id: 'greet', uses: 'custom/echo', with: { message: '${{ params.message }}' } },
    { id: 'wait', uses: 'custom/sleep', with: { ms: 1500, after: out('greet', 'message') } },
    { id: 'left', uses: 'custom/echo', with: { said: out('wait', 'after') } },
    // Outputs naming a dataset version: the step's panel links to it.
    {
      id: 'right',
      uses: 'custom/echo',
      with: { dataset: 'demo-data', version: 1, note: 'x'.repeat(300) },
      dependsOn: ['wait'],
    },
    {
      id: 'join',
      uses: 'custom/echo',
      with: { a: out('left', 'said'), b: out('right', 'dataset') },
    },
  ],
};
export const STEP_IDS = DIAMOND.steps.map((s) => s.id);

/** A registry call as the CLI makes it (tRPC over HTTP, the admin token). */
export async function registryCall<T>(
  stack: Stack,
  procedure: string,
  input: unknown,
  method: 'GET' | 'POST' = 'POST',
): Promise<T> {
  const url = `${stack.urls.registry}/trpc/${procedure}`;
  const headers = { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' };
  const res =
    method === 'GET'
      ? await fetch(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(url, { method, headers, body: JSON.stringify(input) });
  const body = (await res.json()) as { result?: { data: T }; error?: unknown };
  if (!res.ok || !body.result) throw new Error(`${procedure}: ${JSON.stringify(body.error)}`);
  return body.result.data;
}
