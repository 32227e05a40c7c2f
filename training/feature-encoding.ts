/**
 * How the artifact describes one feature's encoding (encoding.ts learns and applies it). The
 * schema has a module of its own so that what only applies an encoding, a serving worker among
 * them, does not load zod.
 */
import { z } from 'zod';

export const featureEncodingSchema = z.discriminatedUnion('type', [
  z.strictObject({ name: z.string(), type: z.literal('number'), impute: z.number() }),
  z.strictObject({ name: z.string(), type: z.literal('boolean'), impute: z.union([z.literal(0), z.literal(1)]) }),
  z.strictObject({ name: z.string(), type: z.literal('category'), categories: z.array(z.string()) }),
]);
export type FeatureEncoding = z.infer<typeof featureEncodingSchema>;
