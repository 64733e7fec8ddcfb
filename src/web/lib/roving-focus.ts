/**
 * Roving tabindex for a run of focusable items (the heat maps' words): one Tab stop for the whole
 * group, arrow keys / Home / End move between items. Wire it as
 *   <div onkeydown={(e) => (active = roveKey(e, active, count))}> … tabindex={i === active ? 0 : -1}
 * and the item at the new index is focused.
 */
export function roveKey(event: KeyboardEvent, active: number, count: number): number {
  const next =
    event.key === 'ArrowRight' || event.key === 'ArrowDown'
      ? Math.min(count - 1, active + 1)
      : event.key === 'ArrowLeft' || event.key === 'ArrowUp'
        ? Math.max(0, active - 1)
        : event.key === 'Home'
          ? 0
          : event.key === 'End'
            ? count - 1
            : undefined;
  if (next === undefined) return active;
  event.preventDefault();
  const container = event.currentTarget as HTMLElement;
  container.querySelectorAll<HTMLElement>('[data-rove]')[next]?.focus();
  return next;
}
