/**
 * Typed errors for bad input. Each carries where the problem is (file, line, row, column, field),
 * so the command line can print one clear sentence instead of a stack trace.
 */
export interface ErrorPlace {
  file?: string;
  /** 1-based line in the file, as an editor shows it. */
  line?: number;
  /** 1-based data row (the header is not a row). */
  row?: number;
  column?: string;
  field?: string;
}

export class MlshipError extends Error {
  readonly place: ErrorPlace;
  constructor(message: string, place: ErrorPlace = {}, options?: ErrorOptions) {
    super(formatMessage(message, place), options);
    this.name = new.target.name;
    this.place = place;
  }
}

/** The model spec (model.yaml) is malformed or invalid. */
export class SpecError extends MlshipError {}

/** A data file (CSV) cannot be used: bad shape, bad value, missing column. */
export class DataError extends MlshipError {}

/** An artifact (model.json) is malformed or does not match what was expected. */
export class ArtifactError extends MlshipError {}

function formatMessage(message: string, place: ErrorPlace): string {
  const where: string[] = [];
  if (place.file) where.push(place.file);
  if (place.line !== undefined) where.push(`line ${place.line}`);
  if (place.row !== undefined) where.push(`row ${place.row}`);
  if (place.column !== undefined) where.push(`column "${place.column}"`);
  if (place.field !== undefined) where.push(`field "${place.field}"`);
  return where.length > 0 ? `${where.join(', ')}: ${message}` : message;
}
