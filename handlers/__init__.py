"""aiogram routers, one module per journey; each handler reads input, calls the domain, replies."""
