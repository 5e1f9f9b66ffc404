// Errors of the migration module that reach an operator. MigrationInputError means "the input
// cannot be read": a corrupt or truncated file, malformed JSON, a missing directory. It always
// names the file and the byte offset where reading stopped, so the operator can look at it with
// a hex dump. Readers throw it before anything has been written anywhere (they write nothing).
export class MigrationInputError extends Error {
  override readonly name = 'MigrationInputError';

  constructor(
    /** The file that could not be read (as given, or as found in the data directory). */
    readonly file: string,
    /** Byte offset in that file where the problem was found; -1 when no offset applies. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(offset >= 0 ? `${file}: at byte offset ${offset}: ${reason}` : `${file}: ${reason}`);
  }
}
