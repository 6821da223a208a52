let allowed = false;

/** For a test whose scenario makes the app log an error on purpose. */
export function allowConsoleError(): void {
  allowed = true;
}

export function consoleErrorAllowed(): boolean {
  return allowed;
}

export function resetConsoleErrorAllowance(): void {
  allowed = false;
}
