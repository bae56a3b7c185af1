/**
 * Wires a handler from a factory. On Lambda the factory runs at module init, so configuration errors
 * fail the cold start loudly; elsewhere (tests, the local runtime importing the module for its
 * `makeHandler`) nothing is built until the first call, and usually never.
 */
export function lambdaHandler<A extends unknown[], R>(factory: () => (...args: A) => R): (...args: A) => R {
  let built: ((...args: A) => R) | undefined = process.env.AWS_LAMBDA_FUNCTION_NAME ? factory() : undefined;
  return (...args: A) => {
    built ??= factory();
    return built(...args);
  };
}

/** Memoizes a zero-argument factory: one SDK client or adapter per module. */
export function once<T>(factory: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = factory();
      made = true;
    }
    return value as T;
  };
}
