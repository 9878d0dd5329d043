import type { z } from 'zod';

/**
 * A strict schema of a custom resource that no kubernetes-models package covers, written from the project's
 * published API reference. Unknown fields are rejected (z.strictObject all the way down).
 */
export interface CustomResourceSchema {
  apiVersion: string;
  kind: string;
  /** Where the schema was written from (API reference URL and version). */
  reference: string;
  schema: z.ZodType;
}
