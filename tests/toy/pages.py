from fastapi import APIRouter, Request
from fastapi.responses import Response

from majal.kit.validation import RowId
from majal.kit.web import DB, Audience, render
from tests.toy import service

router = APIRouter(include_in_schema=False)


@router.get("/toy/notes/{note_id}", tags=[Audience.citizen])
def note_page(request: Request, db: DB, note_id: RowId) -> Response:
    return render(request, "toy/note.html", {"note": service.note(db, note_id)})
