/** Reports kept per model for `history`. */
export const HISTORY_KEEP = 50;

/** Append `item` to the model's list, keeping the last HISTORY_KEEP. */
export function remember<T>(history: Map<string, T[]>, model: string, item: T): void {
  let list = history.get(model);
  if (!list) history.set(model, (list = []));
  list.push(item);
  if (list.length > HISTORY_KEEP) list.splice(0, list.length - HISTORY_KEEP);
}
