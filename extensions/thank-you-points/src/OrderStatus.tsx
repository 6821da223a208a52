import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { OrderPoints } from "./OrderPoints";

export default async () => {
  render(<OrderStatus />, document.body);
};

function OrderStatus() {
  // Reading the signal in render follows the order once Shopify has finished processing it.
  return (
    <OrderPoints api={shopify} orderName={shopify.order.value?.name ?? null} />
  );
}
