// Baseline: bare node:http answering fixed JSON, the ceiling of any server on this machine.
import { createServer } from "node:http"

const body = JSON.stringify({ status: "ok" })
createServer((request, response) => {
  request.resume()
  request.on("end", () => response.writeHead(200, { "content-type": "application/json" }).end(body))
}).listen(Number(process.env.PORT), "127.0.0.1")
