/**
 * Taking results away: save text as a file, copy text to the clipboard. Copy reports whether it
 * worked, since clipboard access can be refused (insecure context, permissions).
 *
 *   download('compressed.txt', 'text/plain', text); const ok = await copyText(text);
 */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
