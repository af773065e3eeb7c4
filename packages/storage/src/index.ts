export {
  openDatabase,
  openPostgresDb,
  openSqliteDb,
  sqliteFileOf,
  pingDb,
  type Db,
  type PostgresOptions,
} from './db/connection';
export { migrateToLatest } from './db/migrate';
export { writeTransaction, lockKey, isSqlite } from './db/transaction';
export type { Database } from './db/schema';
export * from './repos/datasets';
export * from './repos/dataset-policies';
export * from './repos/runs';
export * from './repos/models';
export * from './repos/versions';
export * from './repos/aliases';
export * from './repos/events';
export * from './repos/tokens';
export * from './repos/policies';
export * from './repos/evaluations';
export {
  assertSha256,
  type ArtifactStore,
  type PutOptions,
  type StoredBlob,
} from './artifacts/store';
export { FsArtifactStore, fsStoreOf } from './artifacts/fs-store';
export { removeStaleFiles, type StaleBefore, type TempSweep } from './artifacts/temp-files';
export { S3ArtifactStore, type S3StoreConfig } from './artifacts/s3-store';
export * from './repos/webhooks';
export * from './repos/gc';
export * from './repos/search';
export * from './repos/model-meta';
export {
  chmodIfPresent,
  privateDir,
  tightenDir,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
} from './private-files';
export * from './repos/pipelines';
export * from './repos/pipeline-runs';
export * from './repos/pipeline-cache';
export * from './repos/producers';
export * from './repos/lineage';
export type { PipelineRunsTable, PipelineStepsTable } from './db/tables/pipelines';
