import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { datasetUploadQuerySchema, resourceNameSchema } from '@mlops/contracts';
import type { RegistryDeps } from '../deps';
import { datasetRowsStream } from '../domain/datasets/queries';
import { uploadDataset } from '../domain/datasets/upload';
import { checkUploadProducer, recordProduced } from '../domain/producers';
import { parseInput } from './params';
import { bodyStream, checkDeclaredLength, discardRest, passBodiesThrough, scoped } from './streams';

export const nameParams = z.object({ name: resourceNameSchema });
export const rowsParams = z.object({
  name: resourceNameSchema,
  version: z.coerce.number().int().positive(),
});

export function registerDatasetRoutes(app: FastifyInstance, deps: RegistryDeps): void {
  void app.register((scope, _opts, done) => {
    passBodiesThrough(scope);

    scope.post('/api/datasets/:name', scoped(deps, 'write'), async (request, reply) => {
      const { name } = parseInput(nameParams, request.params, 'dataset name');
      const query = parseInput(datasetUploadQuerySchema, request.query, 'query');
      const body = bodyStream(request);
      try {
        checkDeclaredLength(request, deps.maxUploadBytes);
        const by = await checkUploadProducer(deps, query);
        const { dataset, created } = await uploadDataset(
          deps,
          name,
          body,
          query,
          request.headers['content-type'],
        );
        // Only a new version is this step's product: the same bytes found again were not.
        if (created) await recordProduced(deps, by, 'dataset-version', dataset.id);
        return await reply.status(created ? 201 : 200).send(dataset);
      } finally {
        discardRest(request, reply);
      }
    });

    scope.get(
      '/api/datasets/:name/versions/:version/rows',
      scoped(deps, 'read'),
      async (request, reply) => {
        const { name, version } = parseInput(rowsParams, request.params, 'dataset version');
        const stream = await datasetRowsStream(deps, name, version);
        return reply.type('application/x-ndjson').send(stream);
      },
    );
    done();
  });
}
