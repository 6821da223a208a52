import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  useLoaderData,
  useNavigate,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  IndexTable,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useEffect, useState } from "react";
import { z } from "zod";
import { sql } from "~/db.server";
import { levelHandle } from "~/loyalty/tiers";
import {
  listMembers,
  MEMBER_SORTS,
  type MemberSort,
} from "~/services/member-directory.server";
import { programConfig } from "~/services/program.server";
import { authenticate } from "~/shopify.server";

const querySchema = z.object({
  q: z.string().max(200).catch(""),
  sort: z.enum(MEMBER_SORTS).catch("name"),
  direction: z.enum(["asc", "desc"]).catch("asc"),
  after: z.string().max(500).nullable().catch(null),
  before: z.string().max(500).nullable().catch(null),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const params = new URL(request.url).searchParams;
  const query = querySchema.parse({
    q: params.get("q") ?? "",
    sort: params.get("sort") ?? undefined,
    direction: params.get("direction") ?? undefined,
    after: params.get("after"),
    before: params.get("before"),
  });
  const config = await sql.transaction((tx) => programConfig(tx, session.shop));
  const levels = config?.tiers.levels ?? [];
  const page = await listMembers(sql, session.shop, levels.map(levelHandle), {
    ...query,
    search: query.q,
  });
  return {
    ...page,
    query,
    tierNames: Object.fromEntries(
      levels.map((level) => [levelHandle(level), level.name]),
    ),
  };
};

// IndexTable columns, in order; the sort each one offers.
type Column = { title: string; sort: MemberSort; alignment: "start" | "end" };
const columns: [Column, ...Column[]] = [
  { title: "Name", sort: "name", alignment: "start" },
  { title: "E-mail", sort: "email", alignment: "start" },
  { title: "Tier", sort: "tier", alignment: "start" },
  { title: "Available", sort: "available", alignment: "end" },
  { title: "Lifetime earned", sort: "lifetime", alignment: "end" },
];

export default function Members() {
  const { members, total, totalIsExact, next, previous, query, tierNames } =
    useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const [, setSearchParams] = useSearchParams();
  const loading = useNavigation().state === "loading";
  const [search, setSearch] = useState(query.q);

  const show = (change: Record<string, string | null>) =>
    setSearchParams((current) => {
      const params = new URLSearchParams(current);
      params.delete("after");
      params.delete("before");
      for (const [name, value] of Object.entries(change)) {
        if (value === null || value === "") params.delete(name);
        else params.set(name, value);
      }
      return params;
    });

  // Searching as the merchant types, once they pause.
  useEffect(() => {
    if (search === query.q) return;
    const timer = setTimeout(() => show({ q: search }), 300);
    return () => clearTimeout(timer);
  }, [search, query.q]);

  const sortIndex = columns.findIndex((column) => column.sort === query.sort);
  return (
    <Page
      title="Members"
      subtitle={`${total.toLocaleString()}${totalIsExact ? "" : "+"} members`}
    >
      <BlockStack gap="300">
        <Card>
          <TextField
            label="Search members"
            labelHidden
            placeholder="Search by name or e-mail"
            autoComplete="off"
            clearButton
            onClearButtonClick={() => setSearch("")}
            value={search}
            onChange={setSearch}
          />
        </Card>
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "member", plural: "members" }}
            itemCount={members.length}
            selectable={false}
            loading={loading}
            headings={columns}
            sortable={columns.map(() => true)}
            sortColumnIndex={sortIndex}
            sortDirection={
              query.direction === "asc" ? "ascending" : "descending"
            }
            onSort={(index, direction) =>
              show({
                sort: columns[index]?.sort ?? "name",
                direction: direction === "ascending" ? "asc" : "desc",
              })
            }
            pagination={{
              hasPrevious: previous !== null,
              hasNext: next !== null,
              onPrevious: () =>
                setSearchParams((current) => {
                  const params = new URLSearchParams(current);
                  params.delete("after");
                  if (previous) params.set("before", previous);
                  return params;
                }),
              onNext: () =>
                setSearchParams((current) => {
                  const params = new URLSearchParams(current);
                  params.delete("before");
                  if (next) params.set("after", next);
                  return params;
                }),
            }}
          >
            {members.map((member, position) => (
              <IndexTable.Row
                id={member.id}
                key={member.id}
                position={position}
                onClick={() => navigate(`/app/members/${member.id}`)}
              >
                <IndexTable.Cell>
                  <Text as="span" fontWeight="semibold">
                    {member.redacted
                      ? "Erased customer"
                      : [member.firstName, member.lastName]
                          .filter(Boolean)
                          .join(" ") || `Customer ${member.customerId}`}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{member.email ?? "—"}</IndexTable.Cell>
                <IndexTable.Cell>
                  {member.tierHandle ? (
                    <Badge>
                      {tierNames[member.tierHandle] ?? member.tierHandle}
                    </Badge>
                  ) : (
                    "—"
                  )}
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {member.available.toLocaleString()}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {member.lifetimeEarned.toLocaleString()}
                  </Text>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
      </BlockStack>
    </Page>
  );
}
