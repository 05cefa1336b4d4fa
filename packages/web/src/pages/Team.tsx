import type { AuditEvent } from "@clockme/domain/contract/Audit"
import type { Role, WorkspaceSummaryItem } from "@clockme/domain/contract/Workspace"
import { Either } from "effect"
import { useState } from "preact/hooks"
import { call } from "../Client.js"
import { CopyButton, instantOf, useLoad, when } from "../Controls.js"
import { Field, Notice } from "../Form.js"
import { useSession } from "../Session.js"

const roles: ReadonlyArray<readonly [Role, string]> = [["member", "member"], ["owner", "owner"]]

type Outcome = Promise<Either.Either<unknown, { readonly message: string }>>

const Invites = (props: { readonly workspace: WorkspaceSummaryItem; readonly act: (run: () => Outcome) => Promise<boolean> }) => {
  const id = props.workspace.id
  const invites = useLoad(() => call((api) => api.workspaces.listInvites({ path: { id } })), [id])
  const [expires, setExpires] = useState("")
  const [uses, setUses] = useState("")
  const create = async (event: Event) => {
    event.preventDefault()
    const expiresAt = instantOf(expires)
    const payload = { ...(expiresAt === undefined ? {} : { expiresAt }), ...(uses === "" ? {} : { maxUses: Number(uses) }) }
    await props.act(() => call((api) => api.workspaces.createInvite({ path: { id }, payload: payload as never })))
    invites.reload()
  }
  const list = invites.value !== null && Either.isRight(invites.value) ? invites.value.right : null
  return (
    <section aria-labelledby="invites-title" class="card">
      <h2 id="invites-title">Invites</h2>
      <form class="row" onSubmit={create}>
        <Field label="Expires (optional)" name="expiresAt" type="datetime-local" value={expires} onInput={setExpires} />
        <Field label="Uses (optional)" name="maxUses" type="number" value={uses} onInput={setUses} />
        <button type="submit" class="primary">Create invite</button>
      </form>
      {list === null ? <p class="muted">Loading…</p> : list.length === 0 ? <p class="muted">No invites yet.</p> : (
        <ul class="plain" aria-label="Invites">
          {list.map((invite) => {
            const link = `${location.origin}${invite.link}`
            return (
              <li key={invite.id}>
                <div class="copy-row"><code data-testid="invite-link">{link}</code>{invite.status === "active" && <CopyButton text={link} label="Copy the invite link" />}</div>
                <span class="muted">
                  {invite.status} · used {invite.uses}{invite.maxUses === null ? "" : ` of ${invite.maxUses}`} · expires {when(invite.expiresAt)}
                </span>{" "}
                {invite.status === "active" && (
                  <button
                    type="button"
                    aria-label={`Revoke invite ${invite.code}`}
                    onClick={async () => {
                      await props.act(() => call((api) => api.workspaces.revokeInvite({ path: { id, inviteId: invite.id } })))
                      invites.reload()
                    }}
                  >
                    Revoke
                  </button>
                )}
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}

const Members = (props: { readonly workspace: WorkspaceSummaryItem; readonly act: (run: () => Outcome) => Promise<boolean> }) => {
  const { session } = useSession()
  const id = props.workspace.id
  const members = useLoad(() => call((api) => api.workspaces.members({ path: { id } })), [id])
  const owner = props.workspace.role === "owner"
  const list = members.value !== null && Either.isRight(members.value) ? members.value.right : null
  return (
    <section aria-labelledby="members-title" class="card">
      <h2 id="members-title">Members</h2>
      {list === null ? <p class="muted">Loading…</p> : (
        <table>
          <caption class="visually-hidden">Members of {props.workspace.name}</caption>
          <thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Joined</th>{owner && <th><span class="visually-hidden">Actions</span></th>}</tr></thead>
          <tbody>
            {list.map((member) => (
              <tr key={member.userId}>
                <td>{member.name}</td>
                <td>{member.email}</td>
                <td>
                  {owner && props.workspace.kind !== "personal"
                    ? (
                      <select
                        aria-label={`Role of ${member.name}`}
                        value={member.role}
                        onChange={async (event) => {
                          const role = event.currentTarget.value as Role
                          await props.act(() => call((api) => api.workspaces.updateMember({ path: { id, userId: member.userId }, payload: { role } })))
                          members.reload()
                        }}
                      >
                        {roles.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
                      </select>
                    )
                    : member.role}
                </td>
                <td>{when(member.joinedAt)}</td>
                {owner && (
                  <td>
                    {member.userId !== session?.userId && props.workspace.kind !== "personal" && (
                      <button
                        type="button"
                        aria-label={`Remove ${member.name}`}
                        onClick={async () => {
                          if (!confirm(`Remove ${member.name} from ${props.workspace.name}? Their entries stay.`)) return
                          await props.act(() => call((api) => api.workspaces.removeMember({ path: { id, userId: member.userId } })))
                          members.reload()
                        }}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

/** Who did it: a member by name when the workspace has one, the key used, or the server itself. */
const actorOf = (event: AuditEvent, members: ReadonlyMap<string, string>) => {
  if (event.actorUserId === null) return "the server"
  const who = members.get(event.actorUserId) ?? event.actorUserId
  return event.actorKeyId === null ? `${who} (signed in)` : `${who} (key ${event.actorKeyId.slice(0, 8)})`
}

const Audit = (props: { readonly workspace: WorkspaceSummaryItem }) => {
  const id = props.workspace.id
  const audit = useLoad(() => call((api) => api.audit.list({ urlParams: { workspaceId: id } })), [id])
  const members = useLoad(() => call((api) => api.workspaces.members({ path: { id } })), [id])
  const events = audit.value !== null && Either.isRight(audit.value) ? audit.value.right.events : null
  const names = new Map(members.value !== null && Either.isRight(members.value)
    ? members.value.right.map((member) => [member.userId as string, member.name] as const)
    : [])
  return (
    <section aria-labelledby="audit-title" class="card">
      <h2 id="audit-title">Audit log</h2>
      {events === null ? <p class="muted">Loading…</p> : events.length === 0 ? <p class="muted">Nothing yet.</p> : (
        <ul class="plain audit" aria-label="Audit events">
          {events.map((event) => (
            <li key={event.id}>
              <code>{event.type}</code> by {actorOf(event, names)} <span class="muted">{when(event.createdAt)}</span>
              {event.targetId !== null && <> · <span>target <code>{event.targetId}</code></span></>}
              {Object.keys(event.details).length > 0 && <pre><code>{JSON.stringify(event.details, null, 2)}</code></pre>}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export const Team = () => {
  const workspaces = useLoad(() => call((api) => api.workspaces.list()))
  const [name, setName] = useState("")
  const [error, setError] = useState<string | null>(null)
  const act = async (run: () => Outcome) => {
    const result = await run()
    setError(Either.isLeft(result) ? result.left.message : null)
    return Either.isRight(result)
  }
  const list = workspaces.value !== null && Either.isRight(workspaces.value) ? workspaces.value.right : null
  const active = list?.find((workspace) => workspace.active)
  const create = async (event: Event) => {
    event.preventDefault()
    if (await act(() => call((api) => api.workspaces.create({ payload: { name: name.trim() } as never })))) setName("")
    workspaces.reload()
  }
  return (
    <section aria-labelledby="team-title" class="stack">
      <h1 id="team-title">Team</h1>
      {error !== null && <Notice kind="error">{error}</Notice>}
      <section aria-labelledby="workspaces-title" class="card">
        <h2 id="workspaces-title">Workspaces</h2>
        {list === null ? <p class="muted">Loading…</p> : (
          <ul class="plain" aria-label="Your workspaces">
            {list.map((workspace) => (
              <li key={workspace.id}>
                <strong>{workspace.name}</strong> <span class="muted">{workspace.kind}, {workspace.role}, {workspace.memberCount} member(s)</span>{" "}
                {workspace.active ? <span class="badge">active</span> : (
                  <button
                    type="button"
                    aria-label={`Switch to ${workspace.name}`}
                    onClick={async () => {
                      await act(() => call((api) => api.workspaces.activate({ path: { id: workspace.id } })))
                      workspaces.reload()
                    }}
                  >
                    Switch to
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        <form class="row" onSubmit={create}>
          <Field label="New workspace" name="workspaceName" required value={name} onInput={setName} />
          <button type="submit">Create workspace</button>
        </form>
      </section>
      {active !== undefined && (
        <>
          {active.role === "owner" && active.kind !== "personal" && <Invites workspace={active} act={act} />}
          <Members workspace={active} act={act} />
          {active.role === "owner" && <Audit workspace={active} />}
        </>
      )}
    </section>
  )
}
