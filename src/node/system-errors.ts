/**
 * Turns the file-system errors a long CLI run can meet (a full disk, a read-only folder, a missing
 * path) into messages that say what to do, instead of a Node stack trace. Outputs are written to
 * temp or `.partial` files first, so after any of these the final output file is untouched and the
 * same command resumes or starts clean.
 */
const hints: Record<string, string> = {
  ENOSPC: 'No space left on the device',
  EDQUOT: 'Disk quota exceeded',
  EROFS: 'The file system is read-only',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or folder',
  EISDIR: 'Expected a file but found a folder',
  EMFILE: 'Too many open files',
};

export function describeSystemError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  if (!e || typeof e.code !== 'string' || !(e.code in hints)) return undefined;
  const where = e.path ? ` (${e.path})` : '';
  const what = e.syscall ? ` during ${e.syscall}` : '';
  const fix = e.code === 'ENOSPC' || e.code === 'EDQUOT' ? 'free space' : 'fix the path';
  return `${hints[e.code]}${where}${what}. Nothing was written to the final output; ${fix}, then run the same command again to resume.`;
}
