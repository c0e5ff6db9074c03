"""The administrator's page /console/admin: the staff roster with sign-in and sign-out at a
window (the engine's sign_in / sign_out, as `hallmesh staff`), the appointments import with
a preview that names every bad row (as `hallmesh appointments import`), the device registry
(enrol, remove, broker files: `hallmesh devices`) and the hall file's check before a restart
(`hallmesh hall check`). Engine commands go through console.execute, registry changes are
recorded as console_fleet_changed audit events: the log says who did what. The reading and
the registry work is gateway/console/admin_data.py."""
import base64
import binascii
import os

import aiohttp_jinja2
from aiohttp import web

from gateway import bookings
from gateway.console import admin_data
from gateway.console.admin_words import WORDS
from gateway.console.guard import account, require
from gateway.engine import audit, commands
from gateway.fleet import FleetError
from gateway.fleet.registry import DEFAULT_PATH

UPLOAD_MAX_BYTES = 1024 * 1024


def routes(console):
    console.add_words(WORDS)
    console.add_nav("admin", {"en": "Administration", "zh": "系统管理"}, "admin")
    console.fleet_path = getattr(console, "fleet_path", None) or DEFAULT_PATH
    say = console.say

    async def _page(request, **extra):
        staff = [a for a in console.accounts.all() if not a["disabled"]]
        info = await console.run(admin_data.roster, console.gateway, staff)
        info.update(await console.run(admin_data.devices, console.fleet_path, console.hall))
        info.update(fleet_path=console.fleet_path, hall_file=console.hall.source, **extra)
        return aiohttp_jinja2.render_template("admin.html", request, info)

    @require("admin")
    async def page(request):
        return await _page(request)

    async def _done(request, outcome, done_text):
        await console.flash(request, done_text if outcome.ok else say("refused", why=outcome.text),
                            "good" if outcome.ok else "bad")
        raise web.HTTPFound(console.url("admin"))

    @require("admin")
    async def staff_sign_in(request):
        form = await request.post()
        number, name = _number(form.get("window")), str(form.get("name", "")).strip()[:40]
        if number not in console.hall.windows or not name:
            await console.flash(request, say("adm_bad_sign_in"), "bad")
            raise web.HTTPFound(console.url("admin"))
        outcome = await console.execute(commands.sign_in(number, name), account(request)["name"])
        await _done(request, outcome, say("adm_signed_in", name=name, win=number))

    @require("admin")
    async def staff_sign_out(request):
        number = _number((await request.post()).get("window"))
        if number not in console.hall.windows:
            await console.flash(request, say("adm_bad_sign_in"), "bad")
            raise web.HTTPFound(console.url("admin"))
        outcome = await console.execute(commands.sign_out(number), account(request)["name"])
        await _done(request, outcome, say("adm_signed_out", win=number))

    @require("admin")
    async def appointments_preview(request):
        form = await request.post()
        upload = form.get("file")
        data = upload.file.read(UPLOAD_MAX_BYTES + 1) if hasattr(upload, "file") else b""
        if not data or len(data) > UPLOAD_MAX_BYTES:
            return await _page(request, import_error=say("adm_no_file", n=UPLOAD_MAX_BYTES // 1024))
        try:
            shown = await console.run(admin_data.preview, console.hall, console.gateway.store.path, data,
                                      console.gateway.clock())
        except bookings.BookingError as exc:
            return await _page(request, import_error=str(exc).replace("appointments.csv", upload.filename or "file"))
        return await _page(request, preview=shown, upload_text=base64.b64encode(data).decode("ascii"), upload_name=upload.filename)

    @require("admin")
    async def appointments_import(request):
        form = await request.post()
        try:
            data = base64.b64decode(str(form.get("upload", "")), validate=True)
            cmds, problems = await console.run(admin_data.commands_of, console.hall, data)
        except (bookings.BookingError, binascii.Error) as exc:
            await console.flash(request, str(exc), "bad")
            raise web.HTTPFound(console.url("admin"))
        actor, booked, refused = account(request)["name"], 0, len(problems)
        for _, command in cmds:
            outcome = await console.execute(command, actor)
            booked, refused = booked + outcome.ok, refused + (not outcome.ok)
        await console.flash(request, say("adm_imported", n=booked, bad=refused), "good" if not refused else "bad")
        raise web.HTTPFound(console.url("admin"))

    async def _fleet(request, work, *args, what):
        actor = account(request)["name"]
        try:
            text = await console.run(work, *args)
        except (FleetError, ValueError) as exc:
            await console.flash(request, say("refused", why=exc), "bad")
        else:
            await console.record(audit.FLEET_CHANGED, actor, what=what, detail=text)
            await console.flash(request, text)
        raise web.HTTPFound(console.url("admin"))

    def _enrolled(kind, window, board):
        device = admin_data.enrol(console.fleet_path, console.hall, kind, window, board)
        return say("adm_enrolled", id=device.id, kind=device.kind, place=device.place, board=device.board)

    def _removed(device_id):
        device = admin_data.remove(console.fleet_path, console.hall, device_id)
        return say("adm_removed", id=device.id)

    def _broker_files():
        out = os.path.join(os.path.dirname(console.fleet_path) or ".", "broker")
        paths = admin_data.broker_files(console.fleet_path, console.hall, out)
        return say("adm_broker_written", paths=", ".join(paths.values()))

    @require("admin")
    async def device_add(request):
        form = await request.post()
        await _fleet(request, _enrolled, str(form.get("kind", "")), str(form.get("window", "")).strip(),
                     str(form.get("board", "")).strip(), what="enrol")

    @require("admin")
    async def device_remove(request):
        device_id = str((await request.post()).get("device", ""))[:60]
        await _fleet(request, _removed, device_id, what="remove")

    @require("admin")
    async def device_broker_files(request):
        await _fleet(request, _broker_files, what="broker-files")

    @require("admin")
    async def hall_check(request):
        ok, lines = await console.run(admin_data.hall_check, console.hall.source, console.gateway.store.path,
                                      console.gateway.clock())
        return await _page(request, check={"ok": ok, "lines": lines})

    return [web.get("/admin", page), web.post("/admin/staff/sign-in", staff_sign_in),
            web.post("/admin/staff/sign-out", staff_sign_out),
            web.post("/admin/appointments/preview", appointments_preview),
            web.post("/admin/appointments/import", appointments_import),
            web.post("/admin/devices/add", device_add), web.post("/admin/devices/remove", device_remove),
            web.post("/admin/devices/broker-files", device_broker_files),
            web.post("/admin/hall-check", hall_check)]


def _number(value):
    text = str(value or "").strip().lstrip("wW")
    return int(text) if text.isdigit() else None
