import { postgresVitestConfig } from '../../vitest.shared.ts';

export default postgresVitestConfig;
