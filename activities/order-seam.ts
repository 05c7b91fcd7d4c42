/**
 * The seam between conversations and orders/shipping. The conversation workflow asks these two
 * activities; the orders module replaces their bodies (same names, same types) when it is wired in.
 * Until then the bot answers honestly: no order can be found and no quote can be given.
 */
export interface OrderStatusAnswer {
  found: boolean;
  /** A short, user-facing status line ("shipped with DHL, tracking …"), when found. */
  summary?: string;
}

export interface ShippingQuoteAnswer {
  available: boolean;
  /** The price as the user should read it ("€4.90", "free"), when available. */
  price?: string;
}

export function createOrderSeamActivities() {
  return {
    /** Looks up an order of the client by the number the user gave. No orders module: not found. */
    lookupOrderStatus(_input: {
      clientId: string;
      subjectHash: string;
      orderNumber: string;
    }): Promise<OrderStatusAnswer> {
      return Promise.resolve({ found: false });
    },

    /** Quotes shipping to a destination with the client's rates. No shipping module: unavailable. */
    quoteShipping(_input: { clientId: string; destination: string }): Promise<ShippingQuoteAnswer> {
      return Promise.resolve({ available: false });
    },
  };
}
