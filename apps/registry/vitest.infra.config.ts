import { postgresInfraVitestConfig } from '../../vitest.shared.ts';

export default postgresInfraVitestConfig;
