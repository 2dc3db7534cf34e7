/** Polls until the probe stops throwing or the deadline passes; asynchronous flows are awaited this way, never with fixed sleeps. */
export const eventually = async <T>(probe: () => Promise<T> | T, timeoutMs = 10000, intervalMs = 20): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
};
