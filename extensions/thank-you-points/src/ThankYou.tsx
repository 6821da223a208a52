import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { OrderPoints } from "./OrderPoints";

export default async () => {
  // The thank-you page knows a confirmation number, not the order name the ledger records.
  render(<OrderPoints api={shopify} orderName={null} />, document.body);
};
