/** Where a message sends the customer: pages of the storefront, built by whoever deploys it. */
export interface NotificationLinks {
  order(orderId: string): string;
  tracking(orderId: string, shipmentId: string): string;
  /** Choose another delivery day after a failed attempt. */
  reschedule(orderId: string, shipmentId: string): string;
  /** Collect the parcel from the carrier's pickup point instead. */
  pickup(orderId: string, shipmentId: string): string;
}

/** Links into a storefront at `baseUrl` (`https://shop.example.com`): `/account/orders/{orderId}/...`. */
export function storefrontLinks(baseUrl: string): NotificationLinks {
  const base = baseUrl.replace(/\/+$/, '');
  const order = (orderId: string) => `${base}/account/orders/${encodeURIComponent(orderId)}`;
  const shipment = (orderId: string, shipmentId: string) =>
    `${order(orderId)}/shipments/${encodeURIComponent(shipmentId)}`;
  return {
    order,
    tracking: shipment,
    reschedule: (orderId, shipmentId) => `${shipment(orderId, shipmentId)}/delivery?option=reschedule`,
    pickup: (orderId, shipmentId) => `${shipment(orderId, shipmentId)}/delivery?option=pickup-point`,
  };
}
