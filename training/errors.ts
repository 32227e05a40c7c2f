/**
 * The one error base class of mlship, at the bottom layer (training depends on nothing of ours),
 * so every layer's errors extend it. An error keeps *what* is wrong (`message`) apart from
 * *where* (`place`: file, line, row, column, field, model), so a terminal can print one sentence
 * (`describeError`) and a GitHub annotation can point at the file and line.
 */
export interface ErrorPlace {
  file?: string;
  /** 1-based line in the file, as an editor shows it. */
  line?: number;
  /** 1-based data row (the header is not a row). */
  row?: number;
  column?: string;
  field?: string;
  /** The model the error is about, when the file holds several (a lock). */
  model?: string;
}

export class MlshipError extends Error {
  readonly place: ErrorPlace;
  constructor(message: string, place: ErrorPlace = {}, options?: ErrorOptions) {
    super(message, options);
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

/** `file, line 3, row 2, column "x", field "y"`: where, as one phrase (empty when nowhere). */
export function formatPlace(place: ErrorPlace): string {
  const where: string[] = [];
  if (place.file) where.push(place.file);
  if (place.line !== undefined) where.push(`line ${place.line}`);
  if (place.row !== undefined) where.push(`row ${place.row}`);
  if (place.model !== undefined) where.push(`model "${place.model}"`);
  if (place.column !== undefined) where.push(`column "${place.column}"`);
  if (place.field !== undefined) where.push(`field "${place.field}"`);
  return where.join(', ');
}

/** One sentence for a person: the place, then what is wrong. Any error; only ours have a place. */
export function describeError(err: unknown): string {
  if (err instanceof MlshipError) return describePlaced(err);
  return err instanceof Error ? err.message : String(err);
}

/** `place: message`, or the message alone when there is no place. */
export function describePlaced(error: { message: string; place: ErrorPlace }): string {
  const where = formatPlace(error.place);
  return where ? `${where}: ${error.message}` : error.message;
}

/** An operating-system error about a file (ENOENT, EACCES, ENOTDIR…): the user's to fix, shown as one line. */
export function isFileSystemError(err: unknown): err is NodeJS.ErrnoException & { path?: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** A bad-input error as data (for results documents and annotations): what, where, and its kind. */
export interface ErrorReport {
  kind: string;
  message: string;
  place: ErrorPlace;
}

/** Our errors and file-system errors as an `ErrorReport`; anything else is a bug and is rethrown. */
export function reportError(err: unknown): ErrorReport {
  if (err instanceof MlshipError) return { kind: err.name, message: err.message, place: err.place };
  // Node's message already names the path ("ENOENT: no such file or directory, open 'x'").
  if (isFileSystemError(err)) return { kind: 'FileSystemError', message: err.message, place: {} };
  throw err;
}
