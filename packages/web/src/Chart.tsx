import { useEffect, useRef } from "preact/hooks"
import type uPlot from "uplot"
import "uplot/dist/uPlot.min.css"

/** uPlot loads with the first chart, in its own chunk: the other pages never wait for it. */
const loadUPlot = () => import("uplot").then((module) => module.default)

const cssColor = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim()

/**
 * A bar chart of hours (uPlot on a canvas: it styles its elements through the DOM, which the CSP's
 * `style-src 'self'` allows). The same figures are in a table for screen readers.
 */
export const BarChart = (props: {
  readonly title: string
  readonly labels: ReadonlyArray<string>
  readonly values: ReadonlyArray<number>
}) => {
  const holder = useRef<HTMLDivElement>(null)

  useEffect(() => {
    const element = holder.current
    if (element === null || props.labels.length === 0) return
    let cancelled = false
    let cleanup = () => {}
    void loadUPlot().then((uPlot) => {
      if (!cancelled) cleanup = draw(uPlot, element)
    })
    return () => {
      cancelled = true
      cleanup()
    }
  }, [props.labels.join("\n"), props.values.join(",")])

  const draw = (UPlot: typeof uPlot, element: HTMLDivElement) => {
    const text = cssColor("--text")
    const line = cssColor("--line")
    const accent = cssColor("--accent")
    const size = () => ({ width: Math.max(200, element.clientWidth), height: 220 })
    const chart = new UPlot(
      {
        ...size(),
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.5, props.labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          {
            stroke: text,
            grid: { show: false },
            ticks: { show: false },
            splits: () => props.labels.map((_, index) => index),
            values: (_u, splits) => splits.map((index) => props.labels[index] ?? "")
          },
          { stroke: text, grid: { stroke: line, width: 1 }, ticks: { show: false }, values: (_u, splits) => splits.map((h) => `${h} h`) }
        ],
        series: [
          {},
          { label: "Hours", fill: accent, stroke: accent, points: { show: false }, paths: UPlot.paths.bars!({ size: [0.6, 64] }) }
        ]
      },
      [props.labels.map((_, index) => index), [...props.values]],
      element
    )
    const resize = () => chart.setSize(size())
    window.addEventListener("resize", resize)
    return () => {
      window.removeEventListener("resize", resize)
      chart.destroy()
    }
  }

  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      {props.labels.length === 0 ? <p class="muted">No time yet.</p> : <div ref={holder} aria-hidden="true" />}
      <table class="visually-hidden">
        <caption>{props.title}</caption>
        <tbody>
          {props.labels.map((label, index) => (
            <tr key={label}><th scope="row">{label}</th><td>{props.values[index]!.toFixed(2)} h</td></tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
