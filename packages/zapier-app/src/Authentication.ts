import type { Bundle, ZObject } from "zapier-platform-core"
import { apiUrl, serverUrl } from "./Api.js"

/** The answer of `GET /api/me`: who the key belongs to and what it may do. */
export interface Me {
  readonly user: { readonly id: string; readonly email: string; readonly name: string }
  readonly activeWorkspaceId: string
  readonly scope: "read" | "write" | "full"
}

const test = async (z: ZObject, bundle: Bundle): Promise<Me> => {
  const response = await z.request<Me>({ url: apiUrl(bundle, "/me") })
  let me: Partial<Me> | undefined
  try {
    me = JSON.parse(response.content) as Partial<Me>
  } catch {
    me = undefined
  }
  if (typeof me?.user?.email !== "string") {
    throw new z.errors.Error(`${serverUrl(bundle)} did not answer GET /api/me as a ClockMe server does`, "not_clockme", response.status)
  }
  return me as Me
}

/** API-key auth: the user pastes the server's URL and a key; `GET /api/me` checks both. */
export const Authentication = {
  type: "custom" as const,
  fields: [
    {
      key: "serverUrl",
      label: "Server URL",
      required: true,
      type: "string" as const,
      helpText: "The address of your ClockMe server, e.g. `https://clockme.example.com` (without `/api`)."
    },
    {
      key: "apiKey",
      label: "API Key",
      required: true,
      type: "password" as const,
      helpText: "A ClockMe API key (`ck_live_…`). Triggers need a `full` key of a workspace owner; actions need " +
        "`write`. Create one with `clockme keys create` or `POST /api/keys`."
    }
  ],
  test,
  // the test's answer is the bundle's inputData here: the connection is named after the key's owner
  connectionLabel: async (_z: ZObject, bundle: Bundle<Partial<Me>>) => bundle.inputData.user?.email ?? ""
}
