// A bare Admin GraphQL caller for tests that want to see exactly what Shopify (the simulator)
// answers, without the app's client in between.

export interface AdminGraphqlCall {
  accessToken: string;
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  apiVersion?: string;
}

export interface AdminGraphqlResponse {
  status: number;
  /** Parsed JSON, or the raw text when the answer was not JSON. */
  body: unknown;
}

export async function callAdminGraphql(
  origin: string,
  call: AdminGraphqlCall,
): Promise<AdminGraphqlResponse> {
  const response = await fetch(
    `${origin}/admin/api/${call.apiVersion ?? "2025-04"}/graphql.json`,
    {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Access-Token": call.accessToken,
      },
      body: JSON.stringify({
        query: call.query,
        variables: call.variables,
        operationName: call.operationName,
      }),
    },
  );
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text so the test can show it.
  }
  return { status: response.status, body };
}
