import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { InsufficientScope } from "../Actor.js"
import { RateLimited } from "../RateLimit.js"
import { InvalidInput } from "../Errors.js"
import { AccountExists, InviteSignUp, PasswordLinkInvalid, SessionInfo, SetPassword, SignIn, SignInFailed } from "../Session.js"
import { InviteInvalid, InviteUnusable } from "../Workspace.js"
import { Authentication } from "./Authentication.js"

/** Signing in and out of the dashboard; sign-in and set-password need no key, the rest a session. */
export class SessionApi extends HttpApiGroup.make("session")
  .add(
    HttpApiEndpoint.post("signIn", "/session")
      .setPayload(SignIn)
      .addSuccess(SessionInfo)
      .addError(SignInFailed)
      .addError(RateLimited)
      .annotate(OpenApi.Description, "Sign in with email and password: sets the session cookie (attempts are limited per account and per address)")
  )
  .add(
    HttpApiEndpoint.post("setPassword", "/session/password")
      .setPayload(SetPassword)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(PasswordLinkInvalid)
      .addError(RateLimited)
      .annotate(OpenApi.Description, "Set a password from a one-time set-password link; signs out every session of the account")
  )
  .add(
    HttpApiEndpoint.post("signUpWithInvite", "/session/invite")
      .setPayload(InviteSignUp)
      .addSuccess(SessionInfo, { status: 201 })
      .addError(InviteInvalid)
      .addError(InviteUnusable)
      .addError(AccountExists)
      .addError(InvalidInput)
      .addError(RateLimited)
      .annotate(
        OpenApi.Description,
        "Join a workspace from an invite link without an account: creates the account with this password, makes it a member " +
          "(the workspace becomes its active one) and sets the session cookie. An email that has an account already is a 409: " +
          "sign in and join with POST /api/workspaces/join."
      )
  )
  .add(
    HttpApiEndpoint.get("current", "/session")
      .addSuccess(SessionInfo)
      .middleware(Authentication)
      .annotate(OpenApi.Description, "The signed-in session, with its CSRF token (401 without a session cookie)")
  )
  .add(
    HttpApiEndpoint.del("signOut", "/session")
      .addSuccess(HttpApiSchema.NoContent)
      .addError(InsufficientScope)
      .middleware(Authentication)
      .annotate(OpenApi.Description, "Sign out: revokes this session and clears its cookie")
  )
  .prefix("/api")
  .annotate(OpenApi.Title, "Session")
  .annotate(OpenApi.Description, "The dashboard's sign-in (API clients use keys instead)")
{}
