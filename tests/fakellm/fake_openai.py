#!/usr/bin/env python3
"""fake_openai.py — a tiny OpenAI-compatible chat-completions server for the CLI suite.

Turn 1: streams a tool call (read_file src/a.txt, arguments split over chunks).
Turn 2 (the request carries a tool result): streams the file's first line back as text.
401 when the Authorization header is not "Bearer sk-suite-SECRET", with the key echoed in
the error message as real servers do (the CLI must not print it). Prints its port on stdout.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send_sse(self, events):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        for e in events:
            self.wfile.write(b"data: " + e.encode() + b"\n\n")
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        auth = self.headers.get("Authorization", "")
        if self.path != "/v1/chat/completions":
            self.send_response(404)
            self.end_headers()
            return
        if auth != "Bearer sk-suite-SECRET":
            msg = json.dumps({"error": {"message": "Incorrect API key provided: "
                                        + auth.replace("Bearer ", ""), "type": "invalid_request_error"}})
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(msg.encode())
            return
        msgs = body["messages"]
        assert body.get("stream") is True
        assert any(t["function"]["name"] == "read_file" for t in body.get("tools", []))
        tool_msgs = [m for m in msgs if m["role"] == "tool"]
        if not tool_msgs:
            args = json.dumps({"path": "src/a.txt"})
            ev = [json.dumps({"choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [
                {"index": 0, "id": "call_x", "type": "function",
                 "function": {"name": "read_file", "arguments": ""}}]}}]})]
            for i in range(0, len(args), 3):
                ev.append(json.dumps({"choices": [{"index": 0, "delta": {"tool_calls": [
                    {"index": 0, "function": {"arguments": args[i:i + 3]}}]}}]}))
            ev.append(json.dumps({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}))
            ev.append(json.dumps({"choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": 10}}))
        else:
            seen = tool_msgs[-1]["content"]
            word = "alpha" if "alpha" in seen else "nothing"
            ev = [json.dumps({"choices": [{"index": 0, "delta": {"content": "The file says "}}]}),
                  json.dumps({"choices": [{"index": 0, "delta": {"content": word + "."},
                                           "finish_reason": "stop"}]}),
                  json.dumps({"choices": [], "usage": {"prompt_tokens": 150, "completion_tokens": 5}})]
        self.send_sse(ev)


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
