#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, like every app in this repository
// (workspace packages export their TypeScript source; there is no separate build to forget).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
