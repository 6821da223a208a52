-- No query filters orders by outcome and reason (guest orders are found by e-mail, a member's by
-- member), yet every order's insert and update wrote an entry into this index: two per paid order
-- on the webhook path (docs/decisions/007-webhook-path.md).
DROP INDEX "OrderRecord_shop_outcome_reason_idx";
