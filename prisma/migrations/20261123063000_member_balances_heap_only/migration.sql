-- A balance change no longer touches an index, so PostgreSQL updates the member's row in place
-- (a heap-only update) instead of adding an entry to each of the table's nine indexes on every
-- earn, redemption and expiry. The members list sorts by points and the dashboard sums the
-- balances with a pass over the shop's member rows instead (docs/decisions/007-webhook-path.md).
DROP INDEX "Member_shop_available_id_idx";
DROP INDEX "Member_shop_lifetimeEarned_id_idx";
DROP INDEX "Member_shop_tierHandle_redactedAt_available_pending_held_idx";
