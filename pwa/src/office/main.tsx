/** The office app: the desktop face for leasing, finance, legal and directors, on the API's cookie session. */
import { render } from "preact";
import { ApiError } from "../api";
import { OfficeApp } from "./App";
import "./messages";
import { loadSession, sessionEnded } from "./session";
import "./office.css";

window.addEventListener("unhandledrejection", (event) => {
  // A 401 anywhere means the session ended (signed out elsewhere, revoked, expired): sign in again.
  if (event.reason instanceof ApiError && event.reason.status === 401) sessionEnded();
});

void loadSession().catch(() => sessionEnded());
render(<OfficeApp />, document.getElementById("office")!);
