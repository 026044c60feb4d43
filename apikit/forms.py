"""Django form errors in the shape of the API's validation errors, so both kinds read the same to a client."""


def form_errors(form):
    """One ``{"loc", "msg", "type"}`` per message, as ninja reports a body field it refused."""
    return [{"loc": ["body", field], "msg": str(message), "type": "invalid"}
            for field, messages in form.errors.items() for message in messages]
