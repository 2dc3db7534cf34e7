/** Streams are named `<Category>-<id>`, EventStoreDB's convention; the category is the part before the first `-`. */
export const streamName = (category: string, id: string): string => `${category}-${id}`;

export const categoryOf = (stream: string): string => {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
};

export const idOf = (stream: string): string => {
  const dash = stream.indexOf('-');
  return dash === -1 ? '' : stream.slice(dash + 1);
};
