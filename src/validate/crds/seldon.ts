import type { CustomResourceSchema } from './types.js';

// Placeholder: filled in by the phase that emits these resources.
export const CUSTOM_RESOURCES: CustomResourceSchema[] = [];
