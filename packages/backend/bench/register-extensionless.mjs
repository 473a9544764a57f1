import { register } from 'node:module';

register('./extensionless-hooks.mjs', import.meta.url);
