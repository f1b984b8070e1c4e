FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY locales ./locales
RUN pip install --no-cache-dir -e . && useradd --create-home copro
USER copro
EXPOSE 8080
CMD ["sh", "-c", "copro-bot db upgrade && copro-bot run"]
