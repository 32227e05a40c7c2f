/**
 * What publish tells report (its `published` output): per model the version, the store's
 * answer and the key. Parsed with a schema like every other input that crosses steps.
 */
import { z } from 'zod';
import { MlshipError } from '../../../training/errors.ts';
import { modelNameSchema, modelVersionSchema, sha256Schema } from '../../../training/identifiers.ts';

/** Publishing was refused: a fork, results of another pull request, a store that refused. */
export class PublishError extends MlshipError {}

export const publishedSchema = z.array(
  z.strictObject({
    name: modelNameSchema,
    version: modelVersionSchema,
    sha256: sha256Schema,
    status: z.enum(['published', 'already-published']),
    key: z.string(),
  }),
);
export type PublishedList = z.infer<typeof publishedSchema>;

export function parsePublished(text: string): PublishedList {
  if (!text.trim()) return [];
  try {
    return publishedSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new PublishError(`the published input is not publish's output (${(err as Error).message.slice(0, 200)})`, { field: 'published' });
  }
}
