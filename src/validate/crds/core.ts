import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { z } from 'zod';

/**
 * A kubernetes-models class taking data of type T (IContainer for Container): `new Container(data).validate()`
 * throws when data breaks the OpenAPI schema. The parameter is optional, as in the classes themselves, so
 * that `k8sCore(Container)` infers T = IContainer.
 */
export type KubernetesModelClass<T> = new (data?: T) => { validate(): void };

interface SchemaError {
  instancePath?: string;
  message?: string;
}

/** `/spec/containers/0/image` → ['spec', 'containers', 0, 'image'] (JSON pointer, RFC 6901 unescaping). */
function pointerPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * The errors of a kubernetes-models `validate()` failure, one entry per path (an int-or-string quantity fails
 * several alternatives at the same place), or the error's message at the root when it carries no details.
 */
export function schemaErrors(error: unknown): { path: (string | number)[]; messages: string[] }[] {
  const errors = (error as { errors?: SchemaError[] } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return [{ path: [], messages: [error instanceof Error ? error.message : String(error)] }];
  const byPath = new Map<string, string[]>();
  for (const e of errors) {
    const at = e.instancePath ?? '';
    const messages = byPath.get(at) ?? [];
    if (!messages.includes(e.message ?? 'is invalid')) messages.push(e.message ?? 'is invalid');
    byPath.set(at, messages);
  }
  return [...byPath].map(([at, messages]) => ({ path: pointerPath(at), messages }));
}

/** `spec.containers.0.image`, or `(root)`: how validateManifest prints a path. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(root)';
}

/**
 * A zod schema for a Kubernetes core type embedded in a custom resource (a Container, a PodSpec, a Volume,
 * ResourceRequirements…), checked by the kubernetes-models class of that type:
 *
 * ```ts
 * import { Container } from 'kubernetes-models/v1/Container';
 * containers: z.array(k8sCore(Container)),
 * ```
 *
 * It rejects wrong types, missing required fields, bad enum values and malformed quantities, each reported at
 * its own path. Like kubernetes-models itself it does NOT reject unknown keys inside the embedded object:
 * build those objects as typed literals (`IContainer`) so that `tsc` catches a misspelt key. The parsed value
 * is the input object unchanged (nothing is stripped or defaulted).
 */
export function k8sCore<T extends object>(Model: KubernetesModelClass<T>): z.ZodType<T> {
  const typeName = Model.name || 'Kubernetes object';
  return z
    .custom<T>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { message: `expected a ${typeName} object` })
    .superRefine((value, ctx) => {
      try {
        new Model(value).validate();
      } catch (error) {
        for (const { path, messages } of schemaErrors(error)) ctx.addIssue({ code: 'custom', message: `${typeName}: ${messages.join('; ')}`, path });
      }
    });
}

/** `metadata` of a custom resource, checked as a Kubernetes ObjectMeta (name, namespace, labels, annotations…). */
export const k8sObjectMeta = k8sCore(ObjectMeta);
