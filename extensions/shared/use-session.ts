import { useEffect, useState } from "preact/hooks";
import type { LoyaltySession, SessionState } from "./session";

export function useSessionState(session: LoyaltySession): SessionState {
  const [state, setState] = useState(session.state());
  useEffect(() => {
    setState(session.state());
    return session.subscribe(() => setState(session.state()));
  }, [session]);
  return state;
}
