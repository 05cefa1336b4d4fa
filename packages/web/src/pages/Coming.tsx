/** A page that is planned but not built yet. */
export const Coming = (props: { readonly title: string }) => (
  <section>
    <h1>{props.title}</h1>
    <p class="muted">Coming soon: this page is not built yet.</p>
  </section>
)
