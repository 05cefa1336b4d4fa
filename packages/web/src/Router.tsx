import type { ComponentChildren } from "preact"
import { useEffect, useState } from "preact/hooks"

const listeners = new Set<() => void>()

/** Moves to a page of the dashboard without a reload. */
export const navigate = (path: string, options: { readonly replace?: boolean } = {}) => {
  if (options.replace === true) history.replaceState(null, "", path)
  else history.pushState(null, "", path)
  listeners.forEach((listener) => listener())
}

/** The current path, following links, the back button and `navigate`. */
export const usePath = () => {
  const [path, setPath] = useState(location.pathname)
  useEffect(() => {
    const update = () => setPath(location.pathname)
    listeners.add(update)
    addEventListener("popstate", update)
    return () => {
      listeners.delete(update)
      removeEventListener("popstate", update)
    }
  }, [])
  return path
}

/** A link inside the dashboard: a plain anchor (keyboard, middle-click) that moves without a reload. */
export const Link = (props: { readonly href: string; readonly current?: boolean; readonly children: ComponentChildren }) => (
  <a
    href={props.href}
    aria-current={props.current === true ? "page" : undefined}
    onClick={(event) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
      event.preventDefault()
      navigate(props.href)
    }}
  >
    {props.children}
  </a>
)
